"""The operator's side: staff accounts, the claims desk, the line registry and file intake."""
