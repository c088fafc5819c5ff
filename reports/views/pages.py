from django.shortcuts import render


def home(request):
    return render(request, "reports/home.html")


def goal_tree(request, board_code, year):
    raise NotImplementedError


def indicator_detail(request, pk):
    raise NotImplementedError
