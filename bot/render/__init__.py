"""Pure renderers: Reply -> plain text, HTML (web chat); Block Kit and Adaptive Cards live beside."""
