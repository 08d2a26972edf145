/* ---
description: The territoires d'industrie of the latest ANCT list, one row per territory.
columns:
  id_ti: Territory id (ti-NNNN)
  lib_ti: Territory name
  millesime: Release year of the list
tests:
  - unique: [id_ti]
  - not_null: [id_ti, lib_ti]
--- */
select id_ti, lib_ti, millesime
from raw_ti_territoires
where millesime = (select max(millesime) from raw_ti_territoires)
