/* ---
description: Regions of the latest COG.
columns:
  code_region: Region code
  libelle_region: Region name
tests:
  - unique: [code_region]
--- */
select REG as code_region, LIBELLE as libelle_region
from raw_cog_regions
where millesime = (select max(millesime) from raw_cog_regions)
