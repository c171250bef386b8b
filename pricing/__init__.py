"""Cloud GPU prices: provider clients, one normalised schema, and the offline SQLite price cache."""
