"""Sites, visitors, conversations and messages: Parley's chat domain."""
