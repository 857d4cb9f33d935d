"""Fees and online payment (issue 18): providers as plugins, payments, callbacks, the dossier continuing."""
