/* ---
materialized: mart
description: >
  The indicators of the portraits (INDICATORS.md): code, French label, definition, formula, unit,
  how the value is computed from the numerator and denominator, source and caveats. Portraits and
  docs read their labels here; mart_ti_indicateurs computes every value from type_calcul.
columns:
  code_indicateur: Indicator code
  libelle: French label
  definition: What it measures
  formule: Formula (sums over the zone's communes, divided last)
  unite: nombre (a count), part (a share between 0 and 1), pour 100, pour 10 000, taux (a rate of change, may be negative), EUR
  type_calcul: >
    somme (value = numerator), part (numerator / denominator), pour_100 (100 x numerator /
    denominator), pour_10000 (10,000 x numerator / denominator), evolution (numerator /
    denominator - 1), taux_annuel ((numerator / denominator)^(1 / (annee - annee_base)) - 1)
  source: Source
  precautions: Caveats
  ordre: Display order in the portraits
  theme: Portrait section (territoire, population, emploi, revenus, industrie, laureats)
tests:
  - unique: [code_indicateur]
  - unique: [ordre]
  - not_null: [code_indicateur, libelle, definition, formule, unite, type_calcul, source, ordre, theme]
  - accepted_values: {column: type_calcul, values: [somme, part, pour_100, pour_10000, evolution, taux_annuel]}
  - accepted_values: {column: unite, values: [nombre, part, pour 100, pour 10 000, taux, EUR]}
  - accepted_values: {column: theme, values: [territoire, population, emploi, revenus, industrie, laureats]}
--- */
select * from (
    values
    (1, 'territoire', 'nb_communes', 'Nombre de communes', 'Communes du territoire (COG cible)', 'nombre de communes', 'nombre', 'somme', 'ANCT, listes TI ; Insee, COG',
        'Communes déplacées sur le COG cible : une fusion compte pour une commune. Pour l''ensemble des TI, une commune de deux territoires compte une fois.'),
    (2, 'territoire', 'nb_epci', 'Nombre de groupements (EPCI et communes isolées)', 'Groupements membres du territoire dans la liste ANCT : EPCI, EPT, ou commune membre à titre individuel', 'nombre distinct de siren_groupement', 'nombre', 'somme', 'ANCT, listes TI (groupements) ; Insee, intercommunalités',
        'Territoires et ensemble des TI : groupements de la liste ANCT (630 au niveau national, chacun une fois). France, région et France hors TI : EPCI de l''Insee ayant au moins une commune dans la zone, une commune sans EPCI comptant pour un groupement ; un EPCI à cheval sur deux régions compte dans chacune.'),
    (3, 'population', 'population', 'Population', 'Population municipale au recensement', 'P_POP', 'nombre', 'somme', 'Insee, recensement de la population',
        'Estimation pondérée ; robuste au-delà de 2 000 habitants.'),
    (4, 'population', 'evol_population_5a', 'Évolution annuelle moyenne de la population', 'Taux de variation annuel moyen de la population municipale entre l''année de l''historique du recensement (annee_base) et l''année du recensement', '(P_POP / P_POP[annee_base])^(1 / (annee - annee_base)) - 1', 'taux', 'taux_annuel', 'Insee, recensement de la population',
        'Un fichier du recensement donne la population 6 ans plus tôt dans la même géographie (P15_POP dans le RP 2021, P16_POP dans le RP 2022) : le taux annuel moyen est calculé sur ces 6 années réelles (colonne annee_base), pas sur 5.'),
    (5, 'population', 'part_60_plus', 'Part des 60 ans ou plus', 'Population de 60 ans ou plus / population', '(P_POP6074 + P_POP75P) / P_POP', 'part', 'part', 'Insee, recensement de la population',
        'Le RP 2022 découpe les 75 ans ou plus en 75-89 et 90 ans ou plus ; ils sont additionnés.'),
    (6, 'emploi', 'taux_activite_15_64', 'Taux d''activité des 15-64 ans', 'Actifs de 15-64 ans / population de 15-64 ans', 'P_ACT1564 / P_POP1564', 'part', 'part', 'Insee, recensement de la population', null),
    (7, 'emploi', 'taux_chomage_15_64', 'Taux de chômage des 15-64 ans (au sens du recensement)', 'Chômeurs de 15-64 ans / actifs de 15-64 ans', 'P_CHOM1564 / P_ACT1564', 'part', 'part', 'Insee, recensement de la population',
        'Chômage déclaré au recensement, différent du chômage au sens du BIT.'),
    (8, 'emploi', 'part_ouvriers_actifs_occ', 'Part des ouvriers parmi les actifs occupés', 'Actifs occupés de 15-64 ans ouvriers / actifs occupés de 15-64 ans', 'C_ACTOCC1564_CS6 / C_ACTOCC1564', 'part', 'part', 'Insee, recensement de la population',
        'PCS 2003 (CS6) jusqu''au RP 2021, PCS 2020 (GSEC16) à partir du RP 2022 : rupture de série.'),
    (9, 'emploi', 'emplois_lt', 'Emplois au lieu de travail', 'Nombre d''emplois localisés dans le territoire', 'P_EMPLT', 'nombre', 'somme', 'Insee, recensement de la population', null),
    (10, 'emploi', 'evol_emplois_lt_5a', 'Évolution de l''emploi au lieu de travail', 'Variation relative du nombre d''emplois au lieu de travail entre l''année de l''historique du recensement (annee_base) et l''année du recensement', 'P_EMPLT / P_EMPLT[annee_base] - 1', 'taux', 'evolution', 'Insee, recensement de la population',
        'Évolution sur 6 ans et non 5 : c''est la période que donne un même fichier du recensement (P15_EMPLT dans le RP 2021, colonne annee_base). Ne pas comparer à une évolution sur 5 ans.'),
    (11, 'emploi', 'concentration_emploi', 'Indicateur de concentration d''emploi', 'Emplois pour 100 actifs occupés résidents', '100 * P_EMPLT / P_ACTOCC', 'pour 100', 'pour_100', 'Insee, recensement de la population', null),
    (12, 'industrie', 'part_emploi_industriel', 'Part de l''industrie dans l''emploi', 'Emplois industriels au lieu de travail / emplois (tous statuts)', 'C_EMPLT_INDUS / C_EMPLT', 'part', 'part', 'Insee, recensement de la population',
        'Industrie au sens A5 du recensement (sections B à E), quel que soit le périmètre industry_scope.'),
    (13, 'industrie', 'part_femmes_industrie', 'Part des femmes dans l''emploi industriel', 'Emplois industriels occupés par des femmes / emplois industriels', 'C_INDUSLT_F / C_EMPLT_INDUS', 'part', 'part', 'Insee, recensement de la population', null),
    (14, 'industrie', 'part_salaries_industrie', 'Part des salariés dans l''emploi industriel', 'Emplois industriels salariés / emplois industriels', 'C_INDUSLT_SAL / C_EMPLT_INDUS', 'part', 'part', 'Insee, recensement de la population', null),
    (15, 'industrie', 'postes_salaries_industrie', 'Postes salariés de l''industrie au 31/12', 'Postes salariés des établissements industriels au 31 décembre', 'somme EMPL3112, A38 industriels, NUMBER_EMPL = _T', 'nombre', 'somme', 'Insee, Flores',
        'Marges publiées (toutes tailles) : elles comprennent les cellules de détail secrètes. Une marge secrète est sous-estimée (qualité « secret »).'),
    (16, 'industrie', 'part_industrie_emploi_salarie', 'Part de l''industrie dans l''emploi salarié', 'Postes salariés industriels / postes salariés de toutes activités', 'postes_salaries_industrie / somme EMPL3112 (_T, _T)', 'part', 'part', 'Insee, Flores',
        'Secret statistique : voir postes_salaries_industrie.'),
    (17, 'industrie', 'etab_employeurs_industrie', 'Établissements industriels', 'Établissements industriels (Flores, unités locales)', 'somme UNIT_LOC, A38 industriels, NUMBER_EMPL = _T', 'nombre', 'somme', 'Insee, Flores',
        'Comprend les établissements sans salarié au 31/12 (tranche E0).'),
    (18, 'industrie', 'part_postes_ind_etab_50_plus', 'Part des postes industriels dans les établissements de 50 salariés ou plus', 'Postes industriels des tranches 50 et plus / postes industriels', 'somme EMPL3112 tranches E50T99, E100T199, E200T499, E_GE500 / somme EMPL3112 _T', 'part', 'part', 'Insee, Flores',
        'Les tranches de taille ne sont publiées qu''en cellules de détail (A38 x tranche), plus souvent secrètes que les marges : le numérateur ne compte que les cellules publiées (sous-estimation, qualité « secret »).'),
    (19, 'industrie', 'part_postes_ind_etab_250_plus', 'Part des postes industriels dans les établissements de 200 salariés ou plus', 'Postes industriels des tranches 200 à 499 et 500 ou plus / postes industriels', 'somme EMPL3112 tranches E200T499, E_GE500 / somme EMPL3112 _T', 'part', 'part', 'Insee, Flores',
        'Flores n''a pas de limite à 250 salariés : le seuil réellement appliqué est 200 (tranches E200T499 et E_GE500), ce qui donne une part plus élevée que celle des 250 ou plus. Cellules de détail secrètes non comptées (sous-estimation, qualité « secret »).'),
    (20, 'industrie', 'top_secteurs_industriels', 'Poids des trois premiers secteurs industriels', 'Postes salariés des trois secteurs industriels A38 les plus employeurs de la zone / postes salariés industriels ; codes des trois secteurs dans la colonne detail, postes, établissements et indice de spécificité dans mart_ti_secteurs', 'somme EMPL3112 des 3 premiers A38 industriels / somme EMPL3112 des A38 industriels', 'part', 'part', 'Insee, Flores',
        'Chaque zone, comparateurs compris, a ses propres trois premiers secteurs : la valeur mesure la concentration de l''industrie, pas le poids des secteurs du territoire ailleurs. Ex aequo départagés par le nombre d''établissements puis le code.'),
    (21, 'industrie', 'evol_emploi_ind_prive_1a', 'Évolution de l''emploi salarié privé industriel sur 1 an', 'Variation relative des effectifs salariés au 31/12 des établissements privés industriels entre annee_base (annee - 1) et annee', 'effectifs[annee] / effectifs[annee - 1] - 1, APE divisions 05 à 39 (10 à 33 en périmètre C)', 'taux', 'evolution', 'Urssaf, établissements et effectifs salariés par commune et APE',
        'Secteur privé seulement, classé par l''APE de l''établissement. Cellule d''effectif vide avec un nombre d''établissements publié : secret statistique (qualité « secret », sous-estimation ; la colonne couverture donne la part des établissements industriels des deux années dont l''effectif est publié) ; paire vide : aucun employeur (zéro).'),
    (22, 'industrie', 'evol_emploi_ind_prive_5a', 'Évolution de l''emploi salarié privé industriel sur 5 ans', 'Variation relative des effectifs salariés au 31/12 des établissements privés industriels entre annee_base (annee - 5) et annee', 'effectifs[annee] / effectifs[annee - 5] - 1, APE divisions 05 à 39 (10 à 33 en périmètre C)', 'taux', 'evolution', 'Urssaf, établissements et effectifs salariés par commune et APE',
        'Voir evol_emploi_ind_prive_1a.'),
    (23, 'industrie', 'evol_emploi_ind_prive_10a', 'Évolution de l''emploi salarié privé industriel sur 10 ans', 'Variation relative des effectifs salariés au 31/12 des établissements privés industriels entre annee_base (annee - 10) et annee', 'effectifs[annee] / effectifs[annee - 10] - 1, APE divisions 05 à 39 (10 à 33 en périmètre C)', 'taux', 'evolution', 'Urssaf, établissements et effectifs salariés par commune et APE',
        'Voir evol_emploi_ind_prive_1a. Un changement de code APE d''un établissement déplace ses salariés d''un secteur à l''autre.'),
    (24, 'laureats', 'nb_laureats_relance', 'Lauréats France Relance (mesures industrielles)', 'Projets lauréats localisés dans le territoire', 'nombre de projets distincts', 'nombre', 'somme', 'DGE, Plan de relance - projets industriels ; Insee, Sirene',
        'Toutes les mesures industrielles du fichier DGE (détail par mesure et filière dans mart_ti_laureats). Lauréats localisés par SIRET, siège du SIREN, ou code postal et commune ; les non localisés sont listés avec leur motif dans mart_laureats.'),
    (25, 'laureats', 'investissement_laureats', 'Investissement des lauréats du fonds Territoires d''industrie', 'Somme des investissements des projets lauréats du fonds localisés dans le territoire', 'somme montant_investissement', 'EUR', 'somme', 'ANCT/DGE, lauréats du fonds Territoires d''industrie',
        'Le fichier public DGE ne donne aucun montant : sommes tirées de l''extrait du programme (laureats_ti). Seuls les lauréats dont le montant est renseigné sont sommés ; couverture = part des lauréats avec un montant (qualité « partiel » si elle est inférieure à 1).'),
    (26, 'laureats', 'aide_laureats', 'Aide accordée aux lauréats du fonds Territoires d''industrie', 'Somme des aides accordées aux projets lauréats du fonds localisés dans le territoire', 'somme montant_aide', 'EUR', 'somme', 'ANCT/DGE, lauréats du fonds Territoires d''industrie',
        'Voir investissement_laureats (couverture, qualité « partiel »).'),
    (27, 'laureats', 'emplois_laureats', 'Emplois annoncés par les lauréats du fonds Territoires d''industrie', 'Somme des emplois annoncés (créés ou maintenus) par les projets lauréats du fonds localisés dans le territoire', 'somme emplois', 'nombre', 'somme', 'ANCT/DGE, lauréats du fonds Territoires d''industrie',
        'Emplois déclarés au dépôt du projet, non constatés. Voir investissement_laureats (couverture, qualité « partiel »).'),
    (28, 'laureats', 'laureats_pour_10k_postes_ind', 'Lauréats pour 10 000 postes salariés industriels', 'Lauréats France Relance localisés pour 10 000 postes salariés de l''industrie', '10000 * nb_laureats_relance / postes_salaries_industrie', 'pour 10 000', 'pour_10000', 'DGE, Plan de relance - projets industriels ; Insee, Flores',
        'Postes de l''année Flores la plus proche de l''année des lauréats (précisée dans la colonne source de mart_ti_indicateurs). Les communes sans données Flores ne comptent ni au numérateur ni au dénominateur.'),
    (29, 'revenus', 'taux_pauvrete', 'Taux de pauvreté', 'Personnes des ménages fiscaux vivant sous le seuil de pauvreté (60 % du niveau de vie médian national) / personnes des ménages fiscaux, sur les communes dont Insee publie le taux', 'somme (TP60 / 100 x NBPERSMENFISC) / somme NBPERSMENFISC, communes au taux publié', 'part', 'part', 'Insee, Filosofi',
        'Insee ne publie pas le taux des communes de moins de 1 000 ménages fiscaux (secret statistique) : le taux du territoire porte sur ses communes au taux publié, la colonne couverture donne la part de ses personnes qu''elles regroupent (qualité « partiel » en dessous de 1). Ce n''est pas le taux qu''Insee calculerait sur le territoire entier, les petites communes rurales étant souvent moins pauvres.'),
    (30, 'revenus', 'niveau_vie_median_approche', 'Niveau de vie médian (approché)', 'Moyenne des niveaux de vie médians des communes pondérée par leurs personnes, sur les communes dont la médiane est publiée', 'somme (MED x NBPERSMENFISC) / somme NBPERSMENFISC, communes à la médiane publiée', 'EUR', 'part', 'Insee, Filosofi',
        'Une médiane ne s''additionne pas : cette moyenne pondérée des médianes communales l''approche, sans l''égaler (elle ignore la dispersion à l''intérieur des communes). Insee publie la vraie médiane des EPCI (fichier _EPCI de la même archive), pas encore lue ici. Médiane secrète sous 50 ménages fiscaux : voir couverture.'),
    (31, 'industrie', 'effectifs_ind_prive', 'Effectifs salariés privés de l''industrie', 'Effectifs salariés au 31/12 des établissements privés industriels, chaque année de la série Urssaf (depuis 2006)', 'somme effectifs_salaries_AAAA, APE divisions 05 à 39 (10 à 33 en périmètre C)', 'nombre', 'somme', 'Urssaf, établissements et effectifs salariés par commune et APE',
        'Voir evol_emploi_ind_prive_1a (secret statistique : sous-estimation, qualité « secret »). La série longue des portraits.'),
    (32, 'industrie', 'evol_emploi_ind_prive_depuis_2006', 'Évolution de l''emploi salarié privé industriel depuis 2006', 'Variation relative des effectifs salariés au 31/12 des établissements privés industriels entre la première année de la série Urssaf (annee_base, 2006) et annee', 'effectifs[annee] / effectifs[2006] - 1', 'taux', 'evolution', 'Urssaf, établissements et effectifs salariés par commune et APE',
        'Voir evol_emploi_ind_prive_1a. Sur une si longue période, les changements de code APE et les fermetures d''établissements pèsent davantage.'),
    (33, 'industrie', 'evol_postes_industrie_flores', 'Évolution des postes salariés de l''industrie (Flores)', 'Variation relative des postes salariés au 31/12 des établissements industriels (publics et privés) entre la première année des millésimes Flores présents (annee_base, 2017) et annee, chaque année prise dans son millésime le plus récent', 'postes[annee] / postes[annee_base] - 1', 'taux', 'evolution', 'Insee, Flores',
        'Millésimes 2017 à 2021 : tableaux détaillés en A17 (industrie = C1 à C5 et DE, soit les sections B à E comme en A38) ; 2022 à 2024 : fichiers A38, qui portent chacun deux années (la sienne et la précédente) ; une année donnée par deux millésimes est prise dans le plus récent. Secret statistique : voir postes_salaries_industrie. Les communes absentes de l''une des deux années ne comptent pas.'),
    (36, 'industrie', 'evol_postes_industrie_flores_5a', 'Évolution sur 5 ans des postes salariés de l''industrie (Flores)', 'Variation relative des postes salariés au 31/12 des établissements industriels (publics et privés) entre annee - 5 (annee_base) et annee, chaque année prise dans son millésime Flores le plus récent', 'postes[annee] / postes[annee - 5] - 1', 'taux', 'evolution', 'Insee, Flores',
        'Voir evol_postes_industrie_flores : la période peut joindre un tableau A17 (2017 à 2021) et un fichier A38 (2022 à 2024), dont les industries se correspondent. Variation totale, non annualisée. La série Flores commence en 2017 : pas de variation sur 10 ans.'),
    (34, 'population', 'population_historique', 'Population aux recensements depuis 1968', 'Population municipale de chaque recensement (dénombrements 1968 à 1999, recensements annuels depuis 2006) dans la géographie d''aujourd''hui', 'somme P_POP (ou D_POP) de l''année', 'nombre', 'somme', 'Insee, recensement de la population, séries historiques',
        'Les dénombrements (1968-1999) et le recensement annuel (depuis 2006) ne sont pas produits de la même façon ; Insee les publie ensemble dans la géographie la plus récente, les communes fusionnées ou scindées depuis étant recomposées.'),
    (35, 'population', 'evol_population_depuis_2006', 'Évolution de la population depuis 2006', 'Variation relative de la population entre le recensement de 2006 (annee_base) et le dernier recensement de la série historique (annee)', 'population[annee] / population[2006] - 1', 'taux', 'evolution', 'Insee, recensement de la population, séries historiques',
        'Variation totale sur la période, non annualisée (evol_population_5a est un taux annuel moyen).'),
    -- issue 24: the census bases of several vintages (rp_emploi 2011 -> 2022); ordres from 40 to
    -- leave room for the other history indicators
    (40, 'industrie', 'emplois_industrie_lt', 'Emplois industriels au lieu de travail', 'Nombre d''emplois de l''industrie localisés dans le territoire, à chaque recensement lu (2011, 2016, 2019 à 2022)', 'C_EMPLT_INDUS', 'nombre', 'somme', 'Insee, recensement de la population',
        'Exploitation complémentaire (un quart des ménages des petites communes) : peu précis pour un petit territoire. Industrie au sens A5 (sections B à E). La série longue des portraits, à côté des emplois au lieu de travail.'),
    (41, 'emploi', 'evol_emplois_lt_depuis_2011', 'Évolution de l''emploi au lieu de travail depuis 2011', 'Variation relative des emplois au lieu de travail entre le recensement de 2011 (annee_base, sa propre base communale) et celui de annee', 'P_EMPLT[annee] / P_EMPLT[2011] - 1', 'taux', 'evolution', 'Insee, recensement de la population',
        'Deux bases communales, chacune ramenée à la géographie cible (communes fusionnées additionnées). Environ 10 ans (11 pour le RP 2022). Variation totale, non annualisée.'),
    (42, 'emploi', 'evol_emplois_lt_depuis_2016', 'Évolution de l''emploi au lieu de travail depuis 2016', 'Variation relative des emplois au lieu de travail entre le recensement de 2016 (annee_base, sa propre base communale) et celui de annee', 'P_EMPLT[annee] / P_EMPLT[2016] - 1', 'taux', 'evolution', 'Insee, recensement de la population',
        'Environ 5 ans (6 pour le RP 2022, la période que retient Insee). Variation totale, non annualisée.'),
    (43, 'industrie', 'evol_emplois_industrie_lt_depuis_2011', 'Évolution de l''emploi industriel au lieu de travail depuis 2011', 'Variation relative des emplois industriels au lieu de travail entre le recensement de 2011 (annee_base) et celui de annee', 'C_EMPLT_INDUS[annee] / C_EMPLT_INDUS[2011] - 1', 'taux', 'evolution', 'Insee, recensement de la population',
        'Exploitation complémentaire : peu précis pour un petit territoire. Absent si la base communale de 2011 ne donne pas C11_EMPLT_INDUS (non vérifié sur le fichier réel).'),
    (44, 'industrie', 'evol_emplois_industrie_lt_depuis_2016', 'Évolution de l''emploi industriel au lieu de travail depuis 2016', 'Variation relative des emplois industriels au lieu de travail entre le recensement de 2016 (annee_base) et celui de annee', 'C_EMPLT_INDUS[annee] / C_EMPLT_INDUS[2016] - 1', 'taux', 'evolution', 'Insee, recensement de la population',
        'Exploitation complémentaire : peu précis pour un petit territoire. Environ 5 ans (6 pour le RP 2022).')
) as t(ordre, theme, code_indicateur, libelle, definition, formule, unite, type_calcul, source, precautions)
