// name: top_catalysts
// purpose: The accounts that first carried content into Twitter and seeded its early cascades, best first.
// param limit: int = 20 | how many accounts
// param role: str = catalyst | only this role (catalyst, mainstream-influencer, early-poster); "" for all
// returns: rank, account_id, username, score, role, bot_score, bot_label, followers, amplifiers
// example: signalboost query top_catalysts --param limit=10 --param role=
MATCH (a:Account)
WHERE a.catalyst_rank IS NOT NULL AND ($role = "" OR a.role = $role)
OPTIONAL MATCH (amp:Account)-[:AMPLIFIED]->(a)
WITH a, count(amp) AS amplifiers
RETURN a.catalyst_rank AS rank, a.account_id AS account_id, a.username AS username, a.catalyst_score AS score,
       a.role AS role, a.bot_score AS bot_score, a.bot_label AS bot_label, a.followers AS followers, amplifiers
ORDER BY rank ASC
LIMIT $limit
