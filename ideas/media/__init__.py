"""Pictures people upload: challenge covers and idea images."""
