"""Services: the use cases the CLI and the web app call; they own transactions and errors."""
