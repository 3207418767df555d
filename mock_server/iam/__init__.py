"""Keystone-flavoured IAM: tokens, projects and domains (routes, backend, models, responses)."""
