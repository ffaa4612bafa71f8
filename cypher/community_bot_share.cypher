// name: community_bot_share
// purpose: Bot share per community, counted live from the accounts' bot labels, largest communities first.
// param min_size: int = 3 | smallest community shown
// param limit: int = 50 | how many communities
// returns: community_id, size, scored, bots, bot_share, mean_bot_score, label
// example: signalboost query community_bot_share --param min_size=10
MATCH (a:Account)-[:IN_COMMUNITY]->(c:Community)
WITH c, count(a) AS size, count(a.bot_score) AS scored,
     sum(CASE WHEN a.bot_label = "bot" THEN 1 ELSE 0 END) AS bots, avg(a.bot_score) AS mean_bot_score
WHERE size >= $min_size
RETURN c.community_id AS community_id, size, scored, bots,
       CASE WHEN scored = 0 THEN NULL ELSE toFloat(bots) / scored END AS bot_share, mean_bot_score,
       CASE WHEN scored = 0 THEN NULL WHEN toFloat(bots) / scored >= 0.5 THEN "bot-driven"
            WHEN toFloat(bots) / scored >= 0.2 THEN "mixed" ELSE "human" END AS label
ORDER BY size DESC, community_id ASC
LIMIT $limit
