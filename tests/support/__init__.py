"""What the tests share: accounts, requests, assertions, servers, strategies and SDK key sets."""
