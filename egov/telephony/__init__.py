"""Lines and calls: numbering, rating, who may see which calls, the report, exports, claims."""
