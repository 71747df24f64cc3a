"""What every adapter shares: HTTP discipline, route tables, liberal readers, signatures."""
