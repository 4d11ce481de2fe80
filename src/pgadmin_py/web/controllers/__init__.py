"""One controller module per feature. Thin: parse, one service call, render."""
