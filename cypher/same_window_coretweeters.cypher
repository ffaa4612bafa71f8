// name: same_window_coretweeters
// purpose: Pairs of accounts created within a short window of each other that retweeted the same tweets (a sign of batch-registered botnets).
// param window_hours: float = 24 | largest gap between the two accounts' creation times, in hours
// param min_shared: int = 2 | fewest tweets both retweeted
// param limit: int = 100 | how many pairs
// returns: account_a, username_a, account_b, username_b, created_gap_h, shared_retweets, bot_score_a, bot_score_b
// example: signalboost query same_window_coretweeters --param window_hours=2 --param min_shared=3
MATCH (a:Account)-[:POSTED]->(:Tweet)-[:RETWEETED]->(o:Tweet)<-[:RETWEETED]-(:Tweet)<-[:POSTED]-(b:Account)
WHERE a.account_id < b.account_id AND a.created_ts IS NOT NULL AND b.created_ts IS NOT NULL
  AND abs(a.created_ts - b.created_ts) <= $window_hours * 3600.0
WITH a, b, count(DISTINCT o) AS shared
WHERE shared >= $min_shared
RETURN a.account_id AS account_a, a.username AS username_a, b.account_id AS account_b, b.username AS username_b,
       abs(a.created_ts - b.created_ts) / 3600.0 AS created_gap_h, shared AS shared_retweets,
       a.bot_score AS bot_score_a, b.bot_score AS bot_score_b
ORDER BY shared_retweets DESC, account_a ASC, account_b ASC
LIMIT $limit
