"""Obtaining and opening source files: the catalog of sources, the downloader, the format readers."""
