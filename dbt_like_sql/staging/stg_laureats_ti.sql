/* ---
description: >
  Lauréats of the Territoires d'industrie fund with aid, investment and jobs (programme extract;
  synthetic in the sample, unavailable in live mode unless configured).
columns:
  id_projet: Project id
  siren: SIREN of the beneficiary (first 9 digits of siret)
  siret: SIRET when 14 digits were given
  montant_aide: Aid granted, EUR
  montant_investissement: Investment, EUR
  emplois: Jobs announced
tests:
  - unique: [id_projet]
--- */
with ids as (
    select *, regexp_replace(coalesce(siret, ''), '[^0-9]', '', 'g') as id_chiffres
    from raw_laureats_ti
    where millesime = (select max(millesime) from raw_laureats_ti)
)
select
    id_projet,
    entreprise,
    intitule_projet,
    mesure,
    filiere,
    case when length(id_chiffres) in (9, 14) then left(id_chiffres, 9) end as siren,
    case when length(id_chiffres) = 14 then id_chiffres end as siret,
    lpad(coalesce(code_postal, ''), 5, '0') as code_postal,
    nom_commune,
    annee,
    cast(montant_aide as double) as montant_aide,
    cast(montant_investissement as double) as montant_investissement,
    cast(emplois as double) as emplois,
    millesime
from ids
