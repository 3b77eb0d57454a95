"""The built-in scanners, one module each; importing this package registers them."""
