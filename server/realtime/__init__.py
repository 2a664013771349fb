"""The sockets: visitor and agent consumers, the channel layer, and the gateway that fans events out."""
