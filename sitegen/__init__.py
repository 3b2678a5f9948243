"""Static site generator for resolutions, programmes and their targets.

Pipeline: load -> validate -> link -> render -> export/index -> write.
"""
