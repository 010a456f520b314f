"""The portal's rooms: portal (catalogue), auth (sign-in means), calls (the report)."""
