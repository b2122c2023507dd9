"""Pathway steps: the codes of the step log's ``step`` column, written by the pathways and read by
the KPIs and the event log."""

# pathway steps (the ``step`` column of the step log)
STEP_NAMES = ("left", "first_primary", "first_hospital", "up_referral", "admit", "discharge",
              "down_eligible", "down_referral", "bed_block", "followup", "home_bed",
              "book_referred", "book_self", "no_show", "remote_diagnosis", "teleconsult",
              "test_repeated", "test_recognised", "refer_out", "outside", "ambulance",
              "checkup", "onward")
(LEFT, FIRST_PRIMARY, FIRST_HOSPITAL, UP_REFERRAL, ADMIT, DISCHARGE, DOWN_ELIGIBLE, DOWN_REFERRAL,
 BED_BLOCK, FOLLOWUP, HOME_BED, BOOK_REFERRED, BOOK_SELF, NO_SHOW, REMOTE_DIAGNOSIS, TELECONSULT,
 TEST_REPEATED, TEST_RECOGNISED, REFER_OUT, OUTSIDE, AMBULANCE, CHECKUP, ONWARD) = range(len(STEP_NAMES))
# onward: sent on to a hospital by the family doctor without a formal referral (self-presenting)
# values: discharge / down_referral / home_bed = minutes in the hospital bed; bed_block =
# minutes waiting for a community place; book_* = days to the appointment; ambulance = response
