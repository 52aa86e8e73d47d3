"""Service levels: business calendars and the deadlines measured on them."""
