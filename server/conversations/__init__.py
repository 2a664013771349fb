"""Visitors, conversations and their messages: what is stored of a chat, and every change to it."""
