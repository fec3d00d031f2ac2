"""Teams that form around shortlisted ideas."""
