"""A minimal django-oscar project for the peer benchmark (bench/oscar.py).

It runs only inside the Oscar environment the bench builds under var/bench/, never
with the shop's own packages: bench/oscar.py puts this folder on PYTHONPATH there.
"""
