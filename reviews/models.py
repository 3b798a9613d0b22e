# Appraisals, review requests, reviews and meetings arrive with their own issue.
