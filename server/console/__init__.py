"""The agent console: where agents answer visitors, served by Parley at /console/."""
