"""Training: sessions, join codes and trainees; practice assessments made from scenarios; feedback on a
trainee's answers, a cohort's results and the practice PDF."""
