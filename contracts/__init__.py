"""The wire contract of the emulated Huawei Cloud SMS and IAM APIs: one schema for every body.

The emulator (`mock_server`) and the reference client (`client`) both import this package and
nothing of each other, so a body means the same thing on both sides of the wire.
"""
