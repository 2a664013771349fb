"""The demo: a demo site and agent, and a fake shop on a second origin that embeds the widget."""
