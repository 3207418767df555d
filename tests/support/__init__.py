"""What the tests share: live servers, accounts, assertions, strategies and the SDK key sets."""
