"""Custom Rasa components for the shop bot (referenced by module path in config.yml).

They read the shop's facts (shop/*.yml, shop/*.txt) at training time and persist what
they need into the model, so a trained model is self-contained.
"""
