/* ---
description: >
  Lauréats of the France Relance industrial measures (DGE file). The published 'siren' column
  mixes SIREN (9 digits), SIRET (14 digits), empty and invalid values: it is split into siren and
  siret here, with the reason when neither is usable. An id failing the Luhn key that every
  SIREN and SIRET carries (La Poste's SIRET: digit sum multiple of 5) is invalid: it cannot be in
  Sirene, so the lauréat is placed by its postcode and commune name instead. Float-formatted département codes (971.0,
  1.0) are repaired.
columns:
  id_laureat: Row number in the DGE file (the file has no project id)
  siren: SIREN (9 digits) when the published id gives one
  siret: SIRET (14 digits) when the published id is one
  identifiant_statut: siret, siren, absent or invalide (not 9 or 14 digits, or failing the Luhn key)
  code_departement: Département code, zero-padded
  code_postal: Postcode, 5 digits
tests:
  - unique: [id_laureat]
  - not_null: [id_laureat, identifiant_statut]
  - accepted_values: {column: identifiant_statut, values: [siret, siren, absent, invalide]}
--- */
with latest as (
    select row_number() over () as id_laureat, *
    from raw_relance_laureats
    where millesime = (select max(millesime) from raw_relance_laureats)
),
ids as (
    select *, regexp_replace(coalesce(siren, ''), '[^0-9]', '', 'g') as id_chiffres from latest
),
cles as (
    -- the SIREN/SIRET key (La Poste's exception included): dbt_like_sql/macros/identifiants.sql
    select *, identifiant_entreprise_valide(id_chiffres) as id_valide
    from ids
)
select
    id_laureat,
    entreprise,
    type_entreprise,
    case when id_valide then left(id_chiffres, 9) end as siren,
    case when id_valide and length(id_chiffres) = 14 then id_chiffres end as siret,
    case
        when id_valide and length(id_chiffres) = 14 then 'siret'
        when id_valide then 'siren'
        when trim(coalesce(siren, '')) = '' then 'absent'
        else 'invalide'
    end as identifiant_statut,
    volet_relance,
    mesure,
    mesure_light,
    filiere,
    nom_departement,
    -- '971.0' -> '971', '1.0' -> '01'; Corsica's 2A/2B are kept as they are
    case
        when regexp_matches(code_departement, '^\d+(\.0+)?$')
            then lpad(cast(cast(cast(code_departement as double) as integer) as varchar), 2, '0')
        else code_departement
    end as code_departement,
    nom_commune,
    lpad(regexp_replace(coalesce(code_postal, ''), '\.0+$', ''), 5, '0') as code_postal,
    coordonnees_gps,
    nom_region,
    mise_a_jour,
    millesime
from cles
