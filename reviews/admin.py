# Appraisals, review requests, reviews and meetings register here when their models arrive.
