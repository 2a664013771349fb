"""Sites that embed the widget, their allowed origins and style, and their agents."""
