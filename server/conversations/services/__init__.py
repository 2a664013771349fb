"""Changes to conversations: `check_*` validate untrusted input, `do_*` change state and publish events."""
