"""Cases: questions, requests and complaints with a deadline, the secure inbox, e-mail notifications."""
