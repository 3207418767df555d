"""The QA dashboard (`/_mock/ui`): the emulator's state as web pages, driven through its APIs."""
