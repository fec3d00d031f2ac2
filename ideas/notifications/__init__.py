"""What people are told: in-app notifications, follows and e-mail."""
