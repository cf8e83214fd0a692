"""From people's corrections to the next model: export the feedback store, merge it into training."""
