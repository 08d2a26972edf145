/* ---
materialized: mart
description: >
  The indicators of the portraits: code, French label, definition, formula, unit, how the value
  is computed from the numerator and denominator, source and caveats. Portraits and docs read
  their labels here.
columns:
  code_indicateur: Indicator code
  libelle: French label
  definition: What it measures
  formule: Formula (sums over the territory's communes, divided last)
  unite: nombre (a count), part (a share between 0 and 1), pour 100
  type_calcul: somme (value = numerator), part (numerator / denominator), pour_100 (100 x numerator / denominator)
  source: Source
  precautions: Caveats
  ordre: Display order in the portraits
tests:
  - unique: [code_indicateur]
  - not_null: [code_indicateur, libelle, unite, type_calcul]
  - accepted_values: {column: type_calcul, values: [somme, part, pour_100]}
--- */
select * from (
    values
    (1, 'nb_communes', 'Nombre de communes', 'Communes du territoire (COG cible)', 'nombre de communes', 'nombre', 'somme', 'ANCT, listes TI ; Insee, COG', 'Communes déplacées sur le COG cible : une fusion compte pour une commune.'),
    (2, 'population', 'Population', 'Population municipale au recensement', 'P_POP', 'nombre', 'somme', 'Insee, recensement de la population', 'Estimation pondérée ; robuste au-delà de 2 000 habitants.'),
    (3, 'part_60_plus', 'Part des 60 ans ou plus', 'Population de 60 ans ou plus / population', '(P_POP6074 + P_POP75P) / P_POP', 'part', 'part', 'Insee, recensement de la population', 'Le RP 2022 découpe les 75 ans ou plus en 75-89 et 90 ans ou plus ; ils sont additionnés.'),
    (4, 'taux_activite_15_64', 'Taux d''activité des 15-64 ans', 'Actifs de 15-64 ans / population de 15-64 ans', 'P_ACT1564 / P_POP1564', 'part', 'part', 'Insee, recensement de la population', null),
    (5, 'taux_chomage_15_64', 'Taux de chômage des 15-64 ans (au sens du recensement)', 'Chômeurs de 15-64 ans / actifs de 15-64 ans', 'P_CHOM1564 / P_ACT1564', 'part', 'part', 'Insee, recensement de la population', 'Chômage déclaré au recensement, différent du chômage au sens du BIT.'),
    (6, 'part_ouvriers_actifs_occ', 'Part des ouvriers parmi les actifs occupés', 'Actifs occupés de 15-64 ans ouvriers / actifs occupés de 15-64 ans', 'C_ACTOCC1564_CS6 / C_ACTOCC1564', 'part', 'part', 'Insee, recensement de la population', 'PCS 2003 (CS6) jusqu''au RP 2021, PCS 2020 (GSEC16) à partir du RP 2022 : rupture de série.'),
    (7, 'emplois_lt', 'Emplois au lieu de travail', 'Nombre d''emplois localisés dans le territoire', 'P_EMPLT', 'nombre', 'somme', 'Insee, recensement de la population', null),
    (8, 'concentration_emploi', 'Indicateur de concentration d''emploi', 'Emplois pour 100 actifs occupés résidents', '100 * P_EMPLT / P_ACTOCC', 'pour 100', 'pour_100', 'Insee, recensement de la population', null),
    (9, 'part_emploi_industriel', 'Part de l''industrie dans l''emploi', 'Emplois industriels au lieu de travail / emplois (tous statuts)', 'C_EMPLT_INDUS / C_EMPLT', 'part', 'part', 'Insee, recensement de la population', 'Industrie au sens A5 du recensement (sections B à E).'),
    (10, 'part_femmes_industrie', 'Part des femmes dans l''emploi industriel', 'Emplois industriels occupés par des femmes / emplois industriels', 'C_INDUSLT_F / C_EMPLT_INDUS', 'part', 'part', 'Insee, recensement de la population', null),
    (11, 'part_salaries_industrie', 'Part des salariés dans l''emploi industriel', 'Emplois industriels salariés / emplois industriels', 'C_INDUSLT_SAL / C_EMPLT_INDUS', 'part', 'part', 'Insee, recensement de la population', null),
    (12, 'postes_salaries_industrie', 'Postes salariés de l''industrie au 31/12', 'Postes salariés des établissements industriels au 31 décembre', 'somme EMPL3112, A38 industriels, NUMBER_EMPL = _T', 'nombre', 'somme', 'Insee, Flores', 'Cellules soumises au secret statistique non publiées : sous-estimation possible (qualité « secret »).'),
    (13, 'part_industrie_emploi_salarie', 'Part de l''industrie dans l''emploi salarié', 'Postes salariés industriels / postes salariés de toutes activités', 'postes_salaries_industrie / somme EMPL3112 (_T, _T)', 'part', 'part', 'Insee, Flores', 'Secret statistique : voir postes_salaries_industrie.'),
    (14, 'etab_employeurs_industrie', 'Établissements industriels', 'Établissements industriels (Flores, unités locales)', 'somme UNIT_LOC, A38 industriels, NUMBER_EMPL = _T', 'nombre', 'somme', 'Insee, Flores', 'Comprend les établissements sans salarié au 31/12 (tranche E0).'),
    (15, 'part_postes_ind_etab_50_plus', 'Part des postes industriels dans les établissements de 50 salariés ou plus', 'Postes industriels des tranches 50 et plus / postes industriels', 'somme EMPL3112 tranches >= E50T99 / somme EMPL3112 _T', 'part', 'part', 'Insee, Flores', 'Les cellules de détail sont plus souvent secrètes que les totaux.'),
    (16, 'nb_laureats_relance', 'Lauréats France Relance (mesures industrielles)', 'Projets lauréats localisés dans le territoire', 'nombre de projets distincts', 'nombre', 'somme', 'DGE, Plan de relance - projets industriels ; Insee, Sirene', 'Lauréats localisés par SIRET, siège du SIREN, ou code postal et commune ; les non localisés sont listés dans int_laureats_localises.')
) as t(ordre, code_indicateur, libelle, definition, formule, unite, type_calcul, source, precautions)
