"""After the round: impact updates, check-ins, pledges to teams and follow-up rounds."""
