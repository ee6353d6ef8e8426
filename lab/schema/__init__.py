"""Official API schema files: loading, routing and per-product parameter verification."""
