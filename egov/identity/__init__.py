"""Who is signed in: passwords, server-side sessions, the four means and OpenID Connect."""
