"""An agent's own settings: notification preferences and Web Push subscriptions."""
