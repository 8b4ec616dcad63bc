"""The web side of `dxm serve`: Rasa input channels and the test window page."""
