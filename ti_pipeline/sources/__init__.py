"""What a source is and how its bytes are fetched and opened: the catalog, the downloader and URL
resolution (``download``, ``locate``), the format readers (``readers``, ``sniff``, ``vintage``) and
the ``ti-pipeline catalog`` listing. Choosing the sample or a live download for a release, and
everything done with the file after, is ingestion (``ti_pipeline.ingest``)."""
