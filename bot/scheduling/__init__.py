"""The scheduler core: schedules become deliveries (one per slot), deliveries get posted."""
