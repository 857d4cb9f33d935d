"""The citizen account area under /tai-khoan/ (DESIGN §6): sign-up, sign-in, profile, data store, my dossiers."""
