"""Reports of ideas and comments, and what hosts and admins do about them."""
